"""Display names of the CRM's stored codes (stages, industries, channels...) in both languages."""

from flask_babel import lazy_gettext as _l

STAGES = {
    "assignment": _l("Advisor assignment"), "needs": _l("1 Collect needs"),
    "plan": _l("3 Draft the plan"), "confirm": _l("4 Plan confirmation"),
    "execution_plan": _l("5 Execution plan"), "delivery": _l("6 Service delivery"),
    "materials": _l("7 Materials hand-over"), "certification": _l("8 Certification"),
    "evaluation": _l("9 Quality evaluation"), "review": _l("Quality review"),
    "archive": _l("10 Archive"), "archived": _l("Archived"),
}
STAGE_ORDER = list(STAGES)
INDUSTRIES = {
    "manufacturing": _l("Manufacturing"), "technology": _l("Information technology"),
    "trade": _l("Wholesale and retail"), "services": _l("Business services"),
    "construction": _l("Construction"), "agriculture": _l("Agriculture"),
    "finance": _l("Finance"), "other": _l("Other"),
}
SIZES = {"micro": _l("Micro"), "small": _l("Small"), "medium": _l("Medium"),
         "large": _l("Large")}
CHANNELS = {"phone": _l("Phone"), "online": _l("Online form"), "visit": _l("Visit"),
            "referral": _l("Referral"), "media": _l("Media campaign"), "other": _l("Other")}
SERVICES = {"consulting": _l("Consulting"), "training": _l("Training"),
            "certification": _l("Certification"), "subsidy": _l("Subsidy application"),
            "other": _l("Other")}
COMMUNICATION_KINDS = {"needs": _l("Needs conversation"),
                       "plan_confirmation": _l("Plan confirmation"), "note": _l("Note")}
PLAN_STATUSES = {"proposed": _l("Proposed"), "confirmed": _l("Confirmed"),
                 "adjust": _l("Adjustment asked")}
CERTIFICATION_STATUSES = {"submitted": _l("Submitted"), "passed": _l("Passed"),
                          "more_material": _l("More material needed"), "failed": _l("Failed")}
DOCUMENT_KINDS = {"material": _l("Material"), "report": _l("Report"),
                  "certificate": _l("Certificate"), "contract": _l("Contract"),
                  "qualification": _l("Qualification"), "other": _l("Other")}


def labels() -> dict:
    """Return every table, for templates: labels["stages"]["plan"]."""
    return {"stages": STAGES, "industries": INDUSTRIES, "sizes": SIZES, "channels": CHANNELS,
            "services": SERVICES, "communication_kinds": COMMUNICATION_KINDS,
            "plan_statuses": PLAN_STATUSES, "certification_statuses": CERTIFICATION_STATUSES,
            "document_kinds": DOCUMENT_KINDS, "stage_order": STAGE_ORDER}

"""How a task names its client: the engagement's business key until the CRM links a client."""

from service.models import Instance


def label_column():
    """Return the SQL expression the inbox shows, filters and sorts as the task's client."""
    return Instance.business_key


def join_for_label(stmt):
    """Add the joins label_column() needs to a select over Task joined with Instance."""
    return stmt

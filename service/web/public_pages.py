"""Public pages: forms anyone may send (no sign-in), rate-limited per address, with a honeypot."""

from flask import abort, redirect, render_template, request, url_for

from service.i18n import current_lang
from service.usecases import public_forms

from . import formdata, formkit
from .blueprint import bp
from .page_tools import attempt, field_errors

PAGES = {"inquiry": "inquiry", "center-application": "center_application"}


def render_public(kind, values=None, error=None, status=200):
    schema = public_forms.schema_of(kind)
    errors = field_errors(error)
    fields = formkit.build(schema, values or {}, errors, current_lang())
    general = error.message if error is not None and error.status == 429 else None
    return render_template("web/public_form.html", kind=kind, fields=fields, errors=errors,
                           general=general, title=formkit.form_title(schema, current_lang()),
                           honeypot=public_forms.HONEYPOT), status


@bp.route("/public/<page>")
def public_form(page):
    """Show a public form: a client's inquiry, or an application to run a city center."""
    if page not in PAGES:
        abort(404)
    return render_public(PAGES[page])


@bp.route("/public/<page>", methods=["POST"])
def submit_public_form(page):
    """Send a public form; its process starts (nothing is kept from robots)."""
    if page not in PAGES:
        abort(404)
    kind = PAGES[page]
    posted = formdata.parse(public_forms.schema_of(kind), request.form, {})
    data = {**posted.data, public_forms.HONEYPOT: request.form.get(public_forms.HONEYPOT, "")}
    files = [(f.filename, f.read()) for f in request.files.getlist("documents") if f.filename]
    reference, error = attempt(public_forms.submit, kind, request.remote_addr or "-", data,
                               files)
    if error is not None:
        return render_public(kind, posted.data, error, error.status)
    return redirect(url_for("web.public_thanks", kind=page, reference=reference))


@bp.route("/public/thanks")
def public_thanks():
    """Confirm that the form was received."""
    return render_template("web/public_thanks.html", kind=request.args.get("kind", ""),
                           reference=(request.args.get("reference") or "")[:64])

"""Configuration: defaults, then the environment (or a test mapping)."""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
INSECURE_SECRET = "dev-insecure-secret"  # noqa: S105  (refused outside debug/testing)

DEFAULTS = {
    "SECRET_KEY": INSECURE_SECRET,
    "SQLALCHEMY_DATABASE_URI": None,  # set in load(): SQLite under instance/ unless DATABASE_URL
    "SQLALCHEMY_ENGINE_OPTIONS": None,  # set in load() from the two below unless given
    # A pre-ping costs a round trip per request; instead connections are replaced after
    # DB_POOL_RECYCLE seconds, and one broken by a database restart answers 503 once
    # (errors.py) while the pool drops every connection older than the failure.
    "DB_POOL_PRE_PING": False,
    "DB_POOL_RECYCLE": 1800,
    "PROCESSES_DIR": str(ROOT / "processes"),
    "FORMS_DIR": str(ROOT / "forms"),
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # uploads: diagrams and forms are small
    # The budget of each script and expression (engine/script_limits.py); a breach is an
    # incident naming the limit. Task data is capped whatever fills it (a script, a form...).
    "SCRIPT_TIMEOUT": 2.0,  # wall-clock seconds
    "SCRIPT_CPU_SECONDS": 1.0,
    "SCRIPT_MEMORY_MB": 128,  # beyond what the sandbox process held before
    "SCRIPT_RESULT_BYTES": 1024 * 1024,  # JSON of an expression's value, a script's changes
    "TASK_DATA_MAX_BYTES": 1024 * 1024,  # JSON of an instance's task data after a step
    "SANDBOX_PROCESSES": 2,  # per server process: evaluations that run at once
    # Runs of this many recently stepped instances stay in memory per process (0: none), so
    # the next step skips loading and restoring the state (usecases/hot_runs.py).
    "HOT_RUNS": 128,
    "TOKEN_TTL_HOURS": 12,
    "JOB_LOCK_SECONDS": 60,
    "WORKER_INTERVAL": 1.0,
    "RETRY_DELAYS": [60, 300, 1800],
    "DEMO_PASSWORD": "linkpass",
    "PASSWORD_HASH_METHOD": "scrypt",
    "PAGE_SIZE": 50,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "API_TITLE": "LinkPass Flow",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    # Organisation and sign-in (docs/ORG.md).
    "PASSWORD_MIN_LENGTH": 10,
    "LOCKOUT_THRESHOLD": 5,  # failed sign-ins in a row that lock an account
    "LOCKOUT_MINUTES": 15,
    "SIGNIN_ADDRESS_LIMIT": 20,  # failed sign-ins from one address per window
    "SIGNIN_WINDOW_MINUTES": 15,
    "RESET_LINK_MINUTES": 60,
    "INVITE_LINK_DAYS": 7,
    # The base of every link in a mail (reset, invitation, guest, task): never the request's
    # host. The web server and the worker refuse to start without it outside debug and tests.
    "PUBLIC_BASE_URL": None,
    "TRUSTED_PROXIES": 0,  # reverse proxies in front of the app whose X-Forwarded-* count
    "METRICS_TOKEN": None,  # /metrics answers a bearer of this token ...
    "METRICS_ALLOW": "",  # ... or these addresses/networks (comma-separated); else nobody
    "OIDC_ISSUER": None,  # single sign-on is offered when issuer and client id are set
    "OIDC_CLIENT_ID": None,
    "OIDC_CLIENT_SECRET": None,
    "OIDC_SCOPES": "openid profile email",
    "OIDC_GROUPS_CLAIM": "groups",
    "OIDC_GROUP_MAP": {},  # {group: {"center": code, "roles": [role, ...]}}
    "OIDC_LABEL": "SSO",
    # Staff inbox, guest links, public forms, notifications (docs/INBOX.md).
    "TIMEZONE": "Asia/Shanghai",  # what "today" and "due today" mean on pages and in mails
    "INBOX_PAGE_SIZE": 25,
    "GUEST_LINK_DAYS": 7,
    "ATTACHMENTS_DIR": None,  # files uploaded through forms; default: <instance>/attachments
    "MAIL_SERVER": None,  # unset: development, mails go to the log and the outbox page
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "LinkPass Flow <noreply@linkpass.example>",
    "MAIL_TIMEOUT": 10.0,
    "REMIND_BEFORE_HOURS": 24,  # the due-soon reminder goes out this long before the due time
    "DIGEST_HOUR": 8,  # local hour of the daily digest
    "NOTIFY_SETTLE_SECONDS": 30,  # how long a new audit row may wait for an older transaction
}

# Environment variables read when no test mapping is given: name -> (config key, parser).
ENVIRONMENT = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "PROCESSES_DIR": ("PROCESSES_DIR", str),
    "FORMS_DIR": ("FORMS_DIR", str),
    "SCRIPT_TIMEOUT": ("SCRIPT_TIMEOUT", float),
    "SCRIPT_CPU_SECONDS": ("SCRIPT_CPU_SECONDS", float),
    "SCRIPT_MEMORY_MB": ("SCRIPT_MEMORY_MB", float),
    "SCRIPT_RESULT_BYTES": ("SCRIPT_RESULT_BYTES", int),
    "TASK_DATA_MAX_BYTES": ("TASK_DATA_MAX_BYTES", int),
    "SANDBOX_PROCESSES": ("SANDBOX_PROCESSES", int),
    "HOT_RUNS": ("HOT_RUNS", int),
    "TOKEN_TTL_HOURS": ("TOKEN_TTL_HOURS", float),
    "JOB_LOCK_SECONDS": ("JOB_LOCK_SECONDS", float),  # how soon a crashed worker's jobs rerun
    "WORKER_INTERVAL": ("WORKER_INTERVAL", float),
    "DEMO_PASSWORD": ("DEMO_PASSWORD", str),
    "MAX_UPLOAD_BYTES": ("MAX_CONTENT_LENGTH", int),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", lambda v: v.lower() in ("1", "true")),
    "PUBLIC_BASE_URL": ("PUBLIC_BASE_URL", str),
    "TRUSTED_PROXIES": ("TRUSTED_PROXIES", int),
    "METRICS_TOKEN": ("METRICS_TOKEN", str),
    "METRICS_ALLOW": ("METRICS_ALLOW", str),
    "OIDC_ISSUER": ("OIDC_ISSUER", str),
    "OIDC_CLIENT_ID": ("OIDC_CLIENT_ID", str),
    "OIDC_CLIENT_SECRET": ("OIDC_CLIENT_SECRET", str),
    "OIDC_SCOPES": ("OIDC_SCOPES", str),
    "OIDC_GROUPS_CLAIM": ("OIDC_GROUPS_CLAIM", str),
    "OIDC_GROUP_MAP": ("OIDC_GROUP_MAP", json.loads),
    "OIDC_LABEL": ("OIDC_LABEL", str),
    "TIMEZONE": ("TIMEZONE", str),
    "MAIL_SERVER": ("MAIL_SERVER", str),
    "MAIL_PORT": ("MAIL_PORT", int),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", lambda v: v.lower() in ("1", "true")),
    "MAIL_USERNAME": ("MAIL_USERNAME", str),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "MAIL_FROM": ("MAIL_FROM", str),
    "DIGEST_HOUR": ("DIGEST_HOUR", int),
    "GUEST_LINK_DAYS": ("GUEST_LINK_DAYS", float),
    "ATTACHMENTS_DIR": ("ATTACHMENTS_DIR", str),
    "CRM_DOCUMENTS_DIR": ("CRM_DOCUMENTS_DIR", str),
    "DB_POOL_PRE_PING": ("DB_POOL_PRE_PING", lambda v: v.lower() in ("1", "true")),
    "DB_POOL_RECYCLE": ("DB_POOL_RECYCLE", int),
}


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def script_limits(config) -> dict:
    """Return the keyword arguments of the engine's Limits from the configuration."""
    return {"wall": config["SCRIPT_TIMEOUT"], "cpu": config["SCRIPT_CPU_SECONDS"],
            "memory": int(config["SCRIPT_MEMORY_MB"] * 1024 * 1024),
            "result": config["SCRIPT_RESULT_BYTES"], "data": config["TASK_DATA_MAX_BYTES"]}


def load(app, overrides: dict | None) -> None:
    """Fill app.config from defaults, then the environment or the given mapping."""
    app.config.from_mapping(DEFAULTS)
    if overrides is None:
        for name, (key, parse) in ENVIRONMENT.items():
            if name in os.environ:
                app.config[key] = parse(os.environ[name])
    else:
        app.config.update(overrides)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{app.instance_path}/linkpass.db"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_ENGINE_OPTIONS"] is None:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "pool_pre_ping": app.config["DB_POOL_PRE_PING"],
            "pool_recycle": app.config["DB_POOL_RECYCLE"]}
    if (app.config["SECRET_KEY"] == INSECURE_SECRET and not app.config.get("TESTING")
            and not app.debug):
        raise RuntimeError("SECRET_KEY is not set: export SECRET_KEY (make run creates one)")

# Admin monitor (docs/MONITOR.md).
DEFAULTS.update({
    "WORKER_STALE_SECONDS": 60,  # /healthz reports the worker stale past this heartbeat age
    "JOB_LATE_SECONDS": 60,  # a job due longer ago than this counts as late in /metrics
    "MONITOR_PAGE_SIZE": 25,
})


def require_public_base_url(app) -> None:
    """Refuse to serve (web server, worker) without a valid PUBLIC_BASE_URL.

    Links in mails are built from it, never from a request's Host header; only debug and tests
    may go without (links then point at 127.0.0.1:5000).
    """
    base = app.config["PUBLIC_BASE_URL"]
    if not base:
        if app.debug or app.config.get("TESTING"):
            return
        raise RuntimeError("PUBLIC_BASE_URL is not set: export the site's public address, "
                           "e.g. PUBLIC_BASE_URL=https://flow.example.org (make run sets one)")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment:
        raise RuntimeError(f"PUBLIC_BASE_URL {base!r} is not an http(s) address such as "
                           "https://flow.example.org")

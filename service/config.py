"""Configuration: defaults, then the environment (or a test mapping)."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSECURE_SECRET = "dev-insecure-secret"  # noqa: S105  (refused outside debug/testing)

DEFAULTS = {
    "SECRET_KEY": INSECURE_SECRET,
    "SQLALCHEMY_DATABASE_URI": None,  # set in load(): SQLite under instance/ unless DATABASE_URL
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "PROCESSES_DIR": str(ROOT / "processes"),
    "FORMS_DIR": str(ROOT / "forms"),
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # uploads: diagrams and forms are small
    "SCRIPT_TIMEOUT": 2.0,
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
}

# Environment variables read when no test mapping is given: name -> (config key, parser).
ENVIRONMENT = {
    "SECRET_KEY": ("SECRET_KEY", str),
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "PROCESSES_DIR": ("PROCESSES_DIR", str),
    "FORMS_DIR": ("FORMS_DIR", str),
    "SCRIPT_TIMEOUT": ("SCRIPT_TIMEOUT", float),
    "TOKEN_TTL_HOURS": ("TOKEN_TTL_HOURS", float),
    "DEMO_PASSWORD": ("DEMO_PASSWORD", str),
    "MAX_UPLOAD_BYTES": ("MAX_CONTENT_LENGTH", int),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", lambda v: v.lower() in ("1", "true")),
}


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


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
    if (app.config["SECRET_KEY"] == INSECURE_SECRET and not app.config.get("TESTING")
            and not app.debug):
        raise RuntimeError("SECRET_KEY is not set: export SECRET_KEY (make run creates one)")

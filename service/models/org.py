"""The organisation: centers, users, their roles, and API tokens."""

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from . import db
from .types import UTCDateTime


class Center(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "national" or "city"
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("center.id"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    region: Mapped[str | None] = mapped_column(String(100))

    @property
    def is_national(self) -> bool:
        return self.kind == "national"


class User(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    center_id: Mapped[int] = mapped_column(ForeignKey("center.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    # Lock-out: failed sign-ins since the last success, and until when the account is locked.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until = mapped_column(UTCDateTime())
    # "<issuer> <subject>" of the single sign-on identity linked to this user.
    sso_subject: Mapped[str | None] = mapped_column(String(300), unique=True)

    center: Mapped[Center] = relationship(lazy="joined")
    role_rows: Mapped[list["UserRole"]] = relationship(
        lazy="selectin", cascade="all, delete-orphan")

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)


class UserRole(db.Model):
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(40), index=True)


class ApiToken(db.Model):
    __table_args__ = (Index("ix_api_token_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    expires_at = mapped_column(UTCDateTime(), nullable=False)
    revoked_at = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")


class AccessLink(db.Model):
    """A one-time, expiring link sent by e-mail: a password reset or an invitation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "reset" or "invite"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    expires_at = mapped_column(UTCDateTime(), nullable=False)
    used_at = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")


class SignInFailure(db.Model):
    """One failed sign-in, counted per address for the rate limit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    username: Mapped[str] = mapped_column(String(80))
    created_at = mapped_column(UTCDateTime(), nullable=False)

    __table_args__ = (Index("ix_sign_in_failure_address_time", "address", "created_at"),)

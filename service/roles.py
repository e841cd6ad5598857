"""The role catalogue: keys, display names, and which kind of center holds each role."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    key: str
    name_zh: str
    name_en: str
    scope: str  # "national", "city" or "any": where the role's tasks are routed


ROLES = (
    Role("national_president", "国家中心总裁", "National president", "national"),
    Role("national_management", "国家中心管理部", "National management", "national"),
    Role("national_media", "国家中心媒体部", "National media", "national"),
    Role("national_finance", "国家中心财务部", "National finance", "national"),
    Role("national_tech", "国家中心技术部", "National technology", "national"),
    Role("national_training", "国家中心培训部", "National training", "national"),
    Role("city_president", "城市中心总裁", "City president", "city"),
    Role("city_management", "城市中心管理部", "City management", "city"),
    Role("advisor", "服务顾问", "Service advisor", "city"),
    Role("process_owner", "流程负责人", "Process owner", "any"),
    Role("admin", "管理员", "Administrator", "any"),
)

ROLE_BY_KEY = {role.key: role for role in ROLES}
_BY_NAME = {name: role for role in ROLES for name in (role.key, role.name_zh, role.name_en)}


def role_for_lane(lane: str | None) -> Role | None:
    """Return the role a lane names (by key or display name), or None."""
    if lane is None:
        return None
    return _BY_NAME.get(lane.strip())


def lane_names() -> frozenset[str]:
    """Return every name a lane may carry."""
    return frozenset(_BY_NAME)

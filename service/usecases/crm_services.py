"""The service-task operations of the Link Pass processes, registered with the engine."""

from . import crm_delivery, crm_flow, onboarding_advisors, onboarding_centers
from .credit_code import register_format
from .step_rights import guarded

OPERATIONS = {
    **crm_flow.OPERATIONS,
    **crm_delivery.OPERATIONS,
    **onboarding_centers.OPERATIONS,
    **onboarding_advisors.OPERATIONS,
}


def register(engine) -> None:
    """Let the diagrams call every operation by name, its rights checked (create_app calls
    this once)."""
    register_format()
    for name, operation in OPERATIONS.items():
        engine.register_service(name, guarded(name, operation))

"""Tables of itaflow, one area a module."""

from workflow.models.absence import Absence
from workflow.models.cycle import Cycle, CycleTally, Measure, MeasureOwner, Round, RoundMeasure
from workflow.models.draft import Draft, MemoImport, MemoMapping
from workflow.models.evidence import Evidence
from workflow.models.framework import Framework
from workflow.models.line import LineChannel, LineTarget, LineWebhookEvent
from workflow.models.org import ROLES, Agency, Group, User, UserRole
from workflow.models.secondfactor import Passkey, RecoveryCode, TotpCredential
from workflow.models.signin import AgencySignIn, SignInIdentity
from workflow.models.step import ReviewDecision, Step, StepCoOwner
from workflow.models.system import AuditEvent, AuditHead, OutboxMessage, SignInThrottle, Timer
from workflow.models.token import TOKEN_KINDS, AccessToken

__all__ = [
    "Absence",
    "ROLES",
    "TOKEN_KINDS",
    "AccessToken",
    "Agency",
    "AgencySignIn",
    "AuditEvent",
    "AuditHead",
    "Cycle",
    "CycleTally",
    "Draft",
    "Evidence",
    "Framework",
    "Group",
    "LineChannel",
    "LineTarget",
    "LineWebhookEvent",
    "Measure",
    "MemoImport",
    "MemoMapping",
    "MeasureOwner",
    "OutboxMessage",
    "Passkey",
    "RecoveryCode",
    "ReviewDecision",
    "Round",
    "RoundMeasure",
    "SignInIdentity",
    "SignInThrottle",
    "Step",
    "StepCoOwner",
    "Timer",
    "TotpCredential",
    "User",
    "UserRole",
]

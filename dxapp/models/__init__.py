"""SQLAlchemy models, one module per aggregate.  Import them all here so Alembic sees them."""

from dxapp.models.account import Organisation, User  # noqa: F401
from dxapp.models.application import Application, ApplicationEvent  # noqa: F401
from dxapp.models.audit import AuditEvent  # noqa: F401
from dxapp.models.budget import BudgetMove, HonorariumUsage, ProgramBudget  # noqa: F401
from dxapp.models.case import ConsultationCase, ConsultationCaseArea  # noqa: F401
from dxapp.models.case_search import SavedSearch  # noqa: F401
from dxapp.models.contact import ContactPerson  # noqa: F401
from dxapp.models.content import Inquiry, NewsItem  # noqa: F401
from dxapp.models.desk import DeskGrant, InquiryMessage, SupportCode  # noqa: F401
from dxapp.models.document import Document  # noqa: F401
from dxapp.models.expert import ExpertCarryOver, ExpertProfile, ExpertProfileArea, ExpertProfilePrefecture  # noqa: F401
from dxapp.models.matching import (  # noqa: F401
    Introduction,
    Match,
    MatchSignal,
    Message,
    MessageReport,
    MessageThread,
    Proposal,
    SelfMatch,
    SupportPackage,
    SupportPackageArea,
    SupportPackageRegion,
    UserBlock,
)
from dxapp.models.outbox import OutboxMessage  # noqa: F401
from dxapp.models.plan import PlanFreeze, SupportPlan, SupportPlanItem  # noqa: F401
from dxapp.models.supporter import Affiliation, RosterImport  # noqa: F401
from dxapp.models.terms import Consent, TermsVersion  # noqa: F401
from dxapp.models.wizard import Submission, WizardDraft  # noqa: F401

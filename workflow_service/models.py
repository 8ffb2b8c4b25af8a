"""Imports every module's tables so Alembic and create_app see the whole schema."""
from .modules.alerts.models import Alert  # noqa: F401
from .modules.audit.models import AuditEvent  # noqa: F401
from .modules.processes.models import ProcessDefinition, ProcessInstance  # noqa: F401
from .modules.system.models import ClockState  # noqa: F401
from .modules.tasks.models import Task  # noqa: F401
from .modules.timers.models import Timer  # noqa: F401
from .modules.users.models import ApiToken, Unit, User, UserRole  # noqa: F401
from .modules.deadlines.models import CalendarDay, CalendarYear, DeadlineAdjustment, DeadlineRule  # noqa: F401
from .modules.cases.models import BusinessSetting, Case, CaseParty  # noqa: F401
from .modules.review.models import Ballot, BallotSeat, Committee, CommitteeMember, LegalReview, Vote  # noqa: F401
from .modules.rectification.models import RectificationOrder  # noqa: F401
from .modules.transfers.models import CrimeScreening, CriminalTransfer  # noqa: F401
from .modules.audit.models import AuditChainHead  # noqa: F401
from .modules.evidence.models import EvidenceFile  # noqa: F401
from .modules.disclosure.models import Disclosure  # noqa: F401
from .modules.documents.models import CaseFile, DocumentSequence, DocumentUnitSettings, IssuedDocument  # noqa: F401
from .modules.inspections.models import (HiddenDanger, InspectedCompany, Inspection, InspectionFact,  # noqa: F401
                                         InspectionPhoto)
from .modules.simple_procedure.models import SimplePenalty  # noqa: F401
from .modules.enterprises.models import ClassificationChange, ClassificationScheme, Enterprise, Licence  # noqa: F401
from .modules.enterprises.plan_models import DrawItem, DrawReplacement, InspectionPlan, RandomDraw  # noqa: F401
from .modules.discretion.models import DiscretionBenchmark, DiscretionItem, DiscretionListEntry  # noqa: F401
from .modules.challenges.models import LegalChallenge  # noqa: F401
from .modules.suspensions.models import LicenceAction, ProductionSuspension  # noqa: F401
from .modules.credit.models import CreditEntry  # noqa: F401
from .modules.typical.models import TypicalCase, TypicalReport  # noqa: F401

from .accounts import EnrolmentFactory, UserFactory
from .course import (
    AnnouncementFactory,
    CourseFactory,
    LecturePartFactory,
    ModuleFactory,
    OfferingFactory,
    StaffFactory,
    VideoLectureFactory,
)
from .projects import DeliverableFactory, MembershipFactory, ProjectGroupFactory, ProposalFactory
from .sessions import DiscussionSessionFactory, SessionSeriesFactory

__all__ = [
    "AnnouncementFactory",
    "CourseFactory",
    "DeliverableFactory",
    "MembershipFactory",
    "ProjectGroupFactory",
    "ProposalFactory",
    "DiscussionSessionFactory",
    "EnrolmentFactory",
    "LecturePartFactory",
    "ModuleFactory",
    "OfferingFactory",
    "SessionSeriesFactory",
    "StaffFactory",
    "UserFactory",
    "VideoLectureFactory",
]

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
from .sessions import DiscussionSessionFactory, SessionSeriesFactory

__all__ = [
    "AnnouncementFactory",
    "CourseFactory",
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

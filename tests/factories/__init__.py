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

__all__ = [
    "AnnouncementFactory",
    "CourseFactory",
    "EnrolmentFactory",
    "LecturePartFactory",
    "ModuleFactory",
    "OfferingFactory",
    "StaffFactory",
    "UserFactory",
    "VideoLectureFactory",
]

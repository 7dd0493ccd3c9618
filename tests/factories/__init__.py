from .accounts import UserFactory
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
    "LecturePartFactory",
    "ModuleFactory",
    "OfferingFactory",
    "StaffFactory",
    "UserFactory",
    "VideoLectureFactory",
]

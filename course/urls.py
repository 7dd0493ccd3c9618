from django.urls import include, path

from . import views
from .caching import cached_public_page

app_name = "course"

offering_patterns = [
    path("", views.OfferingHomeView.as_view(), name="offering_home"),
    path("modules/", views.ModuleListView.as_view(), name="module_list"),
    path("modules/<slug:module_slug>/", views.ModuleDetailView.as_view(), name="module_detail"),
    path("lectures/", views.LectureListView.as_view(), name="lecture_list"),
    path("announcements/", views.AnnouncementListView.as_view(), name="announcement_list"),
    path(
        "announcements/feed/",
        cached_public_page(views.AnnouncementFeed()),
        name="announcement_feed",
    ),
    path(
        "staff/quizzes/<int:quiz_id>/", views.QuizStatisticsView.as_view(), name="quiz_statistics"
    ),
]

urlpatterns = [
    path("", views.CatalogueView.as_view(), name="catalogue"),
    path("courses/<slug:course_slug>/", views.CourseDetailView.as_view(), name="course_detail"),
    path("courses/<slug:course_slug>/<slug:offering_slug>/", include(offering_patterns)),
]

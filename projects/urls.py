from django.urls import path

from . import views

app_name = "projects"

OFFERING = "courses/<slug:course_slug>/<slug:offering_slug>"
ME = "me/<slug:course_slug>/<slug:offering_slug>/group"

urlpatterns = [
    path(f"{OFFERING}/projects/", views.ProjectListView.as_view(), name="project_list"),
    path(
        f"{OFFERING}/projects/<int:number>/",
        views.ProjectDetailView.as_view(),
        name="project_detail",
    ),
    path(f"{OFFERING}/projects/abstracts/", views.BookPageView.as_view(), name="book_page"),
    path(f"{OFFERING}/projects/abstracts.pdf", views.BookPdfView.as_view(), name="book_pdf"),
    path(f"{OFFERING}/presentations/", views.ProgrammeView.as_view(), name="programme"),
    path(f"{OFFERING}/staff/projects/", views.ProjectStatusView.as_view(), name="staff_status"),
    path(
        f"{OFFERING}/staff/projects/<int:number>/",
        views.StaffProjectView.as_view(),
        name="staff_project",
    ),
    path(f"{ME}/", views.MyGroupView.as_view(), name="my_group"),
    path(f"{ME}/create/", views.GroupCreateView.as_view(), name="group_create"),
    path(f"{ME}/join/", views.GroupJoinView.as_view(), name="group_join"),
    path(f"{ME}/leave/", views.GroupLeaveView.as_view(), name="group_leave"),
    path(f"{ME}/deliverables/<slug:slug>/", views.UploadView.as_view(), name="upload"),
    path(f"{ME}/presentations/", views.WishesView.as_view(), name="wishes"),
    path("files/submissions/<int:pk>/", views.SubmissionDownloadView.as_view(), name="download"),
]

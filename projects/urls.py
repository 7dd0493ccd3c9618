from django.urls import path

from .views import public, staff, student

app_name = "projects"

OFFERING = "courses/<slug:course_slug>/<slug:offering_slug>"
ME = "me/<slug:course_slug>/<slug:offering_slug>/group"

urlpatterns = [
    path(f"{OFFERING}/projects/", public.ProjectListView.as_view(), name="project_list"),
    path(
        f"{OFFERING}/projects/<int:number>/",
        public.ProjectDetailView.as_view(),
        name="project_detail",
    ),
    path(f"{OFFERING}/projects/abstracts/", public.BookPageView.as_view(), name="book_page"),
    path(f"{OFFERING}/projects/abstracts.pdf", public.BookPdfView.as_view(), name="book_pdf"),
    path(f"{OFFERING}/presentations/", public.ProgrammeView.as_view(), name="programme"),
    path(f"{OFFERING}/staff/projects/", staff.ProjectStatusView.as_view(), name="staff_status"),
    path(
        f"{OFFERING}/staff/projects/<int:number>/",
        staff.StaffProjectView.as_view(),
        name="staff_project",
    ),
    path(f"{ME}/", student.MyGroupView.as_view(), name="my_group"),
    path(f"{ME}/create/", student.GroupCreateView.as_view(), name="group_create"),
    path(f"{ME}/join/", student.GroupJoinView.as_view(), name="group_join"),
    path(f"{ME}/leave/", student.GroupLeaveView.as_view(), name="group_leave"),
    path(f"{ME}/deliverables/<slug:slug>/", student.UploadView.as_view(), name="upload"),
    path(f"{ME}/presentations/", student.WishesView.as_view(), name="wishes"),
    path("files/submissions/<int:pk>/", student.SubmissionDownloadView.as_view(), name="download"),
]

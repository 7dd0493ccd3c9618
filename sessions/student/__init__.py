"""A student's own course pages (/me/...): their courses, each course's page, progress,
quizzes, watched lectures and attendance.

They gather from every app (enrolment, project, attendance, examination), so they live in
sessions, the top of the app order. The public course pages show a student their own ticks
and progress through `personal_context()`, registered with course.pages in
`DiscussionSessionsConfig.ready()`.
"""

"""The demo: the 2016 Deep Learning course of ../shared/seed/, loaded by `manage.py load_demo`.

It fills every app (content, people and enrolments, sessions and attendance, quizzes,
projects, grades), so it lives in sessions, the top of the app order. deep_learning.load()
runs it; quizzes.py, grading.py and projects/demo.py add their parts.
"""

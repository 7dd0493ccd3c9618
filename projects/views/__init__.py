"""The pages of projects: public.py (project list and pages, the programme, the book of
abstracts), student.py (a student's group, proposal, uploads, wishes and the downloads),
staff.py (the projects overview and a group's staff page)."""

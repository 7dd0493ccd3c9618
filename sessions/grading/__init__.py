"""Grading: eligibility, the rubric, proposed and final grades, the sign-off and the results.

One concern a module, in layers (each imports only those below it):

- defaults.py: the 2016 scales and rubric, as data;
- rules.py: pure rules (scale mapping, the rubric's suggestion, the proposal);
- eligibility.py: the conditions for a grade, met, pending or missing;
- sheet.py: the read model (the grade sheet, a student's row, the published results);
- mails.py: the result mails, queued through the outbox (accounts.mailing);
- services.py: the writes (assessments, grades, sign-off, unlock);
- exports.py: the records export (CSV, Excel);
- views.py, urls.py: the examination page and the staff's grading pages.

The models are in sessions/models/grading.py, the permissions in sessions/rules.py.
"""

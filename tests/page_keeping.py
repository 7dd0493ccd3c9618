"""What making a cacheable page anew costs on top of the page's own queries.

A page made anew (not served from the cache) also reads what decides how long it may be
kept (course/caching.py): the offerings it is about (the ids of its address on a public
page, the person's offerings on their own pages; one query) and those offerings' next
clock edge (registration, announcements and quizzes: 3; deadlines and extensions: 2;
check-in: 1). Both are kept in the cache under the content versions, so the next page of
the same offerings reads neither, until something changes.
"""

KEEPING = 7

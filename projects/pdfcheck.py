"""Reading an uploaded PDF's pages, run in a child process whose time and memory are bounded.

A PDF's page tree can make pypdf work without end: 100,000 pages, one page listed a million
times, or a few shared nodes that unfold into 2^24 pages. projects/validators.check_pdf runs
this file as a script (`python -I pdfcheck.py MAX_PAGES MEMORY_MB CPU_SECONDS`, the file on
standard input) and reads one line of JSON from it: {"pages": n}, or {"refused": reason}
with the page count the file declares when that is over the limit. Only pypdf is imported,
so the child starts quickly; the parent kills it at the wall-clock timeout.
"""

import io
import json
import math
import resource
import signal
import sys

from pypdf import PdfReader
from pypdf.errors import LimitReachedError, PyPdfError


def read_pages(content: bytes, max_pages: int | None) -> dict:
    """The page count, read from the page tree's /Count before any page is parsed: a file
    declaring more than `max_pages` is refused without reading its pages."""
    try:
        reader = PdfReader(io.BytesIO(content), strict=True)
        if reader.is_encrypted:
            return {"refused": "encrypted"}
        declared = reader.trailer["/Root"]["/Pages"]["/Count"]
        if not isinstance(declared, int) or declared < 0:
            return {"refused": "broken_pdf"}
        if max_pages is not None and declared > max_pages:
            return {"refused": "too_many_pages", "pages": int(declared)}
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018 - touching every page finds broken page trees
    except (LimitReachedError, MemoryError, RecursionError):
        return {"refused": "too_complex"}
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError):
        return {"refused": "broken_pdf"}
    return {"pages": pages}


def main(argv: list[str]) -> None:
    max_pages, memory_mb, seconds = int(argv[1]), int(argv[2]), float(argv[3])
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # The reading may use `seconds` of processor time (SIGPROF's default action ends the
    # process); the whole process, start-up included, a second more at most.
    backstop = math.ceil(seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (backstop, backstop + 1))
    signal.setitimer(signal.ITIMER_PROF, seconds)
    content = sys.stdin.buffer.read()
    result = read_pages(content, max_pages if max_pages > 0 else None)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv)

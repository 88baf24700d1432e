"""Build the queue-age Lambda zip byte-for-byte reproducibly.

Terraform no longer zips the source itself (the archive provider is not available offline and a
zip built at plan time differs from the one built at apply time on another runner). CI runs this
before `terraform plan`, uploads the zip next to the plan, and the apply job downloads both: the
apply sees exactly the bytes whose hash the plan recorded in `source_code_hash`.

Usage: python terraform/modules/batch_sfn/lambda/build_zip.py OUTPUT.zip
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "queue_age.py"
# A fixed timestamp and mode: the same source always gives the same zip (and the same hash).
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644


def build(output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    info = zipfile.ZipInfo(SOURCE.name, date_time=FIXED_DATE)
    info.external_attr = FILE_MODE << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(info, SOURCE.read_bytes(), compresslevel=9)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: build_zip.py OUTPUT.zip")
    build(Path(sys.argv[1]))

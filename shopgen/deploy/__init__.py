"""Getting shopgen onto AWS: the tracker Lambda's zip (`tracker_zip.py`)."""

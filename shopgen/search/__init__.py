"""What decides what a customer finds, in one folder: the index builder (`index.py`), the
ranking both sides share (`ranking.json`) and the browser's search modules (`js/`)."""

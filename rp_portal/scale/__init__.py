"""Large, realistic data for measuring speed at scale (``manage.py seed_scale``)."""

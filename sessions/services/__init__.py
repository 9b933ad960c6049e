"""Every write to rooms, sessions, bookings and polls goes through these modules."""

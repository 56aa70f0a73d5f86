"""The citizen, moderator and team journeys as step functions, run by test_journey_matrix.py in
every language, width and with JavaScript on and off."""

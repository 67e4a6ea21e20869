"""The target pages: overview (approval screen, a pupil's target, curricular targets), queue (change
requests and raises) and generation (generating targets, flight paths)."""

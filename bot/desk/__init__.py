"""The staff desk under /desk: login, queue, case pages, answers, insight."""

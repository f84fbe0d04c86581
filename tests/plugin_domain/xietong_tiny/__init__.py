"""A tiny Xietong domain written for the tests: one table, route, command, indicator, scope, event and page."""

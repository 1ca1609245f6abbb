"""`make bench`: the site's speed figures and ratios, never part of `make test`."""

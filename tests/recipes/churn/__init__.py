"""Tests of ``deepkit.recipes.churn``, one file per module (a package, so that their names
do not clash with other packages' ``test_<module>.py``)."""

"""Tests of ``deepkit.recipes.transfer``, one file per module (a package, so that their names
do not clash with other packages' ``test_<module>.py``)."""

# Texts of the holding part of issue 9; filled by its branch.

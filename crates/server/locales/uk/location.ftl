# Texts of the location part of issue 9; filled by its branch.

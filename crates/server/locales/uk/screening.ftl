# Texts of the screening part of issue 9; filled by its branch.

# Texts of the exit_plan part of issue 9; filled by its branch.

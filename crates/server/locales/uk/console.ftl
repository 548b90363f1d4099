# Operator console, Ukrainian.
console-title = Консоль

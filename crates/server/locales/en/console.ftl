# Operator console, English.
console-title = Console

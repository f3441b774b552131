"""The click commands, one module each: parse, call the library, render."""

"""Pure domain: vocabulary, money, dates, geometry. No Textual, no SQL, no I/O."""

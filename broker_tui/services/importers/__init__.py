"""Importers: files from outside (Ofsted's register) into the store, validated before anything is written."""

"""Parsers generated from ksy/ by kaitai-struct-compiler (make generate). Do not edit."""

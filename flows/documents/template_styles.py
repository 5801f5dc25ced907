"""The board template's fixed parts: styles, list numbering and settings (WordprocessingML).

Written by hand rather than copied from a Word file so every style is one we chose: Arial
(Liberation Sans in LibreOffice), dark blue headings, a table style with a shaded header row, a grey
placeholder style for content controls, and Swedish as the proofing language.
"""

from __future__ import annotations

# Colours of the municipality's document profile.
HEADING_COLOR = "1F3864"
HEADER_FILL = "D9E2F3"
LABEL_FILL = "F2F2F2"
BOX_FILL = "EEF3FA"
BOX_BORDER = "8EAADB"
GRID_COLOR = "A6A6A6"

# LibreOffice rewrites a style's id from its name when it saves (.docx → "Anvisning" for a style
# named so). Hint and goal paragraphs must stay recognisable as not-an-answer after that, so
# their names begin with their ids: "Hint (anvisning)" becomes "Hintanvisning".
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

STYLES_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {_W}>
  <w:docDefaults>
    <w:rPrDefault><w:rPr>
      <w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/>
      <w:sz w:val="21"/><w:szCs w:val="21"/>
      <w:lang w:val="sv-SE" w:eastAsia="sv-SE" w:bidi="ar-SA"/>
    </w:rPr></w:rPrDefault>
    <w:pPrDefault><w:pPr>
      <w:spacing w:after="120" w:line="264" w:lineRule="auto"/>
    </w:pPr></w:pPrDefault>
  </w:docDefaults>
  <w:style w:type="paragraph" w:default="1" w:styleId="Normal">
    <w:name w:val="Normal"/><w:qFormat/>
    <w:rPr><w:color w:val="1A1A1A"/></w:rPr>
  </w:style>
  <w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">
    <w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>
    <w:unhideWhenUsed/>
  </w:style>
  <w:style w:type="table" w:default="1" w:styleId="TableNormal">
    <w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>
    <w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>
      <w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>
      <w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>
    </w:tblCellMar></w:tblPr>
  </w:style>
  <w:style w:type="numbering" w:default="1" w:styleId="NoList">
    <w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>
  </w:style>
  <w:style w:type="paragraph" w:styleId="Title">
    <w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Subtitle"/>
    <w:uiPriority w:val="10"/><w:qFormat/>
    <w:pPr><w:keepNext/><w:spacing w:before="0" w:after="80" w:line="240" w:lineRule="auto"/>
    </w:pPr>
    <w:rPr><w:b/><w:bCs/><w:color w:val="{HEADING_COLOR}"/><w:kern w:val="28"/>
      <w:sz w:val="40"/><w:szCs w:val="40"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="Subtitle">
    <w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
    <w:uiPriority w:val="11"/><w:qFormat/>
    <w:pPr><w:keepNext/><w:spacing w:before="0" w:after="200"/></w:pPr>
    <w:rPr><w:color w:val="404040"/><w:sz w:val="30"/><w:szCs w:val="30"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="Heading1">
    <w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
    <w:uiPriority w:val="9"/><w:qFormat/>
    <w:pPr><w:keepNext/><w:keepLines/>
      <w:pBdr><w:bottom w:val="single" w:sz="6" w:space="2" w:color="{HEADING_COLOR}"/></w:pBdr>
      <w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr>
    <w:rPr><w:b/><w:bCs/><w:color w:val="{HEADING_COLOR}"/>
      <w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="Heading2">
    <w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
    <w:uiPriority w:val="9"/><w:unhideWhenUsed/><w:qFormat/>
    <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="80"/>
      <w:outlineLvl w:val="1"/></w:pPr>
    <w:rPr><w:b/><w:bCs/><w:color w:val="{HEADING_COLOR}"/>
      <w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="Goal">
    <w:name w:val="Goal (mål)"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>
    <w:pPr><w:keepNext/>
      <w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="{BOX_BORDER}"/></w:pBdr>
      <w:spacing w:before="0" w:after="200"/><w:ind w:left="180"/></w:pPr>
    <w:rPr><w:i/><w:iCs/><w:color w:val="262626"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="Hint">
    <w:name w:val="Hint (anvisning)"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>
    <w:qFormat/>
    <w:pPr><w:keepNext/><w:spacing w:before="0" w:after="100"/></w:pPr>
    <w:rPr><w:color w:val="595959"/><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="Facts">
    <w:name w:val="Uppgifter"/><w:basedOn w:val="Normal"/><w:qFormat/>
    <w:pPr><w:spacing w:before="0" w:after="40"/></w:pPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="FactsLast">
    <w:name w:val="Uppgifter, sista"/><w:basedOn w:val="Facts"/><w:next w:val="Normal"/>
    <w:pPr><w:spacing w:after="240"/></w:pPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="Closing">
    <w:name w:val="Avslutning"/><w:basedOn w:val="Normal"/>
    <w:pPr><w:spacing w:before="480" w:after="0"/></w:pPr>
    <w:rPr><w:color w:val="595959"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="BoxHeading">
    <w:name w:val="Rutans rubrik"/><w:basedOn w:val="Normal"/><w:next w:val="BoxBullet"/>
    <w:pPr><w:keepNext/><w:spacing w:before="60" w:after="60"/></w:pPr>
    <w:rPr><w:b/><w:bCs/><w:color w:val="{HEADING_COLOR}"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="BoxBullet">
    <w:name w:val="Rutans punkt"/><w:basedOn w:val="Normal"/>
    <w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>
      <w:spacing w:before="0" w:after="40"/><w:ind w:left="340" w:hanging="227"/></w:pPr>
    <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="TableText">
    <w:name w:val="Tabelltext"/><w:basedOn w:val="Normal"/><w:qFormat/>
    <w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr>
    <w:rPr><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="TableHeading">
    <w:name w:val="Tabellrubrik"/><w:basedOn w:val="TableText"/><w:qFormat/>
    <w:pPr><w:keepNext/></w:pPr>
    <w:rPr><w:b/><w:bCs/><w:color w:val="{HEADING_COLOR}"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="LastYear">
    <w:name w:val="LastYear (förra året)"/><w:basedOn w:val="TableText"/>
    <w:pPr><w:spacing w:before="60"/></w:pPr>
    <w:rPr><w:i/><w:iCs/><w:color w:val="595959"/><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:customStyle="1" w:styleId="AnswerText">
    <w:name w:val="Svarstext"/><w:basedOn w:val="Normal"/><w:qFormat/>
    <w:pPr><w:spacing w:before="40" w:after="40"/></w:pPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="Header">
    <w:name w:val="header"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>
    <w:unhideWhenUsed/>
    <w:pPr><w:tabs><w:tab w:val="right" w:pos="9070"/></w:tabs>
      <w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
    <w:rPr><w:color w:val="595959"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>
  </w:style>
  <w:style w:type="paragraph" w:styleId="Footer">
    <w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>
    <w:unhideWhenUsed/>
    <w:pPr><w:pBdr><w:top w:val="single" w:sz="4" w:space="4" w:color="BFBFBF"/></w:pBdr>
      <w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
    <w:rPr><w:color w:val="595959"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>
  </w:style>
  <w:style w:type="character" w:styleId="PlaceholderText">
    <w:name w:val="Placeholder Text"/><w:basedOn w:val="DefaultParagraphFont"/>
    <w:uiPriority w:val="99"/><w:semiHidden/>
    <w:rPr><w:color w:val="808080"/></w:rPr>
  </w:style>
  <w:style w:type="character" w:customStyle="1" w:styleId="HintText">
    <w:name w:val="Anvisningstext"/><w:basedOn w:val="DefaultParagraphFont"/>
    <w:rPr><w:i w:val="0"/><w:iCs w:val="0"/><w:color w:val="595959"/>
      <w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>
  </w:style>
  <w:style w:type="character" w:styleId="Hyperlink">
    <w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/>
    <w:uiPriority w:val="99"/><w:unhideWhenUsed/>
    <w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr>
  </w:style>
  <w:style w:type="table" w:customStyle="1" w:styleId="FollowupTable">
    <w:name w:val="Uppföljningstabell"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/>
    <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
    <w:tblPr>
      <w:tblBorders>
        <w:top w:val="single" w:sz="4" w:space="0" w:color="{GRID_COLOR}"/>
        <w:left w:val="single" w:sz="4" w:space="0" w:color="{GRID_COLOR}"/>
        <w:bottom w:val="single" w:sz="4" w:space="0" w:color="{GRID_COLOR}"/>
        <w:right w:val="single" w:sz="4" w:space="0" w:color="{GRID_COLOR}"/>
        <w:insideH w:val="single" w:sz="4" w:space="0" w:color="{GRID_COLOR}"/>
        <w:insideV w:val="single" w:sz="4" w:space="0" w:color="{GRID_COLOR}"/>
      </w:tblBorders>
      <w:tblCellMar>
        <w:top w:w="28" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>
        <w:bottom w:w="28" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>
      </w:tblCellMar>
    </w:tblPr>
    <w:tblStylePr w:type="firstRow">
      <w:rPr><w:b/><w:bCs/><w:color w:val="{HEADING_COLOR}"/></w:rPr>
      <w:trPr><w:tblHeader/></w:trPr>
      <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/></w:tcPr>
    </w:tblStylePr>
  </w:style>
</w:styles>
"""

NUMBERING_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering {_W}>
  <w:abstractNum w:abstractNumId="0">
    <w:multiLevelType w:val="singleLevel"/>
    <w:lvl w:ilvl="0">
      <w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/><w:lvlJc w:val="left"/>
      <w:pPr><w:ind w:left="340" w:hanging="227"/></w:pPr>
      <w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/>
        <w:color w:val="{HEADING_COLOR}"/></w:rPr>
    </w:lvl>
  </w:abstractNum>
  <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
</w:numbering>
"""

SETTINGS_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings {_W}>
  <w:zoom w:percent="100"/>
  <w:defaultTabStop w:val="709"/>
  <w:hyphenationZone w:val="425"/>
  <w:characterSpacingControl w:val="doNotCompress"/>
  <w:compat>
    <w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word"
      w:val="15"/>
  </w:compat>
  <w:themeFontLang w:val="sv-SE"/>
  <w:decimalSymbol w:val=","/>
  <w:listSeparator w:val=";"/>
</w:settings>
"""

# Word requires a font table and a theme beside the main document (the Open XML SDK validator
# reports both relationships as missing otherwise). The template's text is all Arial; the theme
# names Arial as its fonts so Word's theme-font pickers agree with the styles.
FONT_TABLE_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:fonts {_W}>
  <w:font w:name="Arial">
    <w:panose1 w:val="020B0604020202020204"/><w:charset w:val="00"/><w:family w:val="swiss"/>
    <w:pitch w:val="variable"/>
    <w:sig w:usb0="E0002EFF" w:usb1="C000785B" w:usb2="00000009" w:usb3="00000000"
      w:csb0="000001FF" w:csb1="00000000"/>
  </w:font>
  <w:font w:name="Times New Roman">
    <w:panose1 w:val="02020603050405020304"/><w:charset w:val="00"/><w:family w:val="roman"/>
    <w:pitch w:val="variable"/>
    <w:sig w:usb0="E0002EFF" w:usb1="C000785B" w:usb2="00000009" w:usb3="00000000"
      w:csb0="000001FF" w:csb1="00000000"/>
  </w:font>
</w:fonts>
"""

_A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


def _solid(colour: str) -> str:
    return f'<a:solidFill><a:schemeClr val="{colour}"/></a:solidFill>'


def _line(width: int) -> str:
    return (
        f'<a:ln w="{width}" cap="flat" cmpd="sng" algn="ctr">{_solid("phClr")}'
        '<a:prstDash val="solid"/><a:miter lim="800000"/></a:ln>'
    )


_COLOURS = (
    ("dk1", '<a:sysClr val="windowText" lastClr="000000"/>'),
    ("lt1", '<a:sysClr val="window" lastClr="FFFFFF"/>'),
    ("dk2", f'<a:srgbClr val="{HEADING_COLOR}"/>'),
    ("lt2", '<a:srgbClr val="E7E6E6"/>'),
    ("accent1", '<a:srgbClr val="4472C4"/>'),
    ("accent2", '<a:srgbClr val="ED7D31"/>'),
    ("accent3", '<a:srgbClr val="A5A5A5"/>'),
    ("accent4", '<a:srgbClr val="FFC000"/>'),
    ("accent5", '<a:srgbClr val="5B9BD5"/>'),
    ("accent6", '<a:srgbClr val="70AD47"/>'),
    ("hlink", '<a:srgbClr val="0563C1"/>'),
    ("folHlink", '<a:srgbClr val="954F72"/>'),
)
_FONTS = '<a:latin typeface="Arial"/><a:ea typeface=""/><a:cs typeface=""/>'

THEME_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<a:theme {_A} name="Uppföljning"><a:themeElements>'
    '<a:clrScheme name="Uppföljning">'
    + "".join(f"<a:{name}>{colour}</a:{name}>" for name, colour in _COLOURS)
    + "</a:clrScheme>"
    f'<a:fontScheme name="Uppföljning"><a:majorFont>{_FONTS}</a:majorFont>'
    f"<a:minorFont>{_FONTS}</a:minorFont></a:fontScheme>"
    '<a:fmtScheme name="Uppföljning">'
    f"<a:fillStyleLst>{_solid('phClr') * 3}</a:fillStyleLst>"
    f"<a:lnStyleLst>{_line(6350)}{_line(12700)}{_line(19050)}</a:lnStyleLst>"
    "<a:effectStyleLst>"
    + "<a:effectStyle><a:effectLst/></a:effectStyle>"
    * 3
    + "</a:effectStyleLst>"
    f"<a:bgFillStyleLst>{_solid('phClr') * 3}</a:bgFillStyleLst>"
    "</a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>"
)

"""The consolidated follow-up report: frames of all answers, the Word report, the Excel export.

frame.py (answers -> DataFrames) → figures.py (every count and derived table) → document.py (Word,
on the reference .docx from reference.py, tables via wordxml.py, chart.py) and excel.py.
"""

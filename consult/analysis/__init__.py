"""Results of consultations: aggregation in SQL, breakdowns, suppression, charts (no Flask here;
only `views.py`, when it comes, may import it).

The contract for pages, report, exports and API:

- `ResultSpec(breakdown, Filters(...))`, `Dimension`, `AnswerFilter` (`spec`)
- `question_result`, `consultation_results`, `text_answers` (`questions`), `participation`
  (`participation`), `audience_query` (`audience`)
- result dataclasses (`results`), suppression (`suppression`)
- `chart`, `participation_chart` (`charts`), `alt_text` (`alt_text`), the chart cache and
  `results_version` (`cache`), `fill_demo_responses` (`demo_responses`)
"""

"""The OpenAI summary writer: the kernel's OpenAI client (core/llm.py) with structured output into SummaryContent.

Imported only when a summary is asked for with a key configured. Any failure (timeout, HTTP error after the
SDK's retries, refusal, output not in the schema, ids the review does not cite) is a SummaryFailed: the review
then carries the offline writer's paragraph, labelled with the reason; a review never fails for its summary.
"""

from __future__ import annotations

import openai
import pydantic

from achievements.reviews.models import Review, ReviewSummary, SummaryContent
from achievements.reviews.rules import cited_ids
from achievements.reviews.summary import AI_LABEL, PROMPT_VERSION, summary_messages


class SummaryFailed(Exception):
    """OpenAI's paragraph cannot be used; the message says why (shown with the offline one)."""


class OpenAISummaryWriter:
    name = "openai"
    version = f"openai-structured-1/{PROMPT_VERSION}"

    def __init__(self, client: openai.OpenAI, model: str, max_output_tokens: int = 400) -> None:
        self.client = client
        self.model = model
        self.max_output_tokens = max_output_tokens

    def write(self, review: Review) -> ReviewSummary:
        try:
            completion = self.client.chat.completions.parse(
                model=self.model,
                messages=summary_messages(review),  # type: ignore[arg-type]
                response_format=SummaryContent,
                max_completion_tokens=self.max_output_tokens,
            )
        except openai.APITimeoutError as error:
            raise SummaryFailed("OpenAI did not answer within the timeout") from error
        except openai.APIConnectionError as error:
            raise SummaryFailed("OpenAI was unreachable") from error
        except openai.APIStatusError as error:
            raise SummaryFailed(f"OpenAI answered HTTP {error.status_code}") from error
        except (openai.ContentFilterFinishReasonError, openai.LengthFinishReasonError) as error:
            raise SummaryFailed("OpenAI's answer was cut off or filtered") from error
        except pydantic.ValidationError as error:
            raise SummaryFailed("OpenAI's answer did not fit the summary schema") from error
        message = completion.choices[0].message if completion.choices else None
        if message is not None and message.refusal:
            raise SummaryFailed("OpenAI refused to write it")
        if message is None or message.parsed is None:
            raise SummaryFailed("OpenAI's answer held no summary")
        content = message.parsed
        unknown = sorted(set(content.cited_ids) - cited_ids(review))
        if unknown:
            raise SummaryFailed(f"OpenAI cited achievements the review does not hold: {unknown[:5]}")
        model = completion.model or self.model
        return ReviewSummary(
            text=" ".join(content.paragraph.split()),
            written_by="openai",
            label=AI_LABEL.format(model=model),
            model=model,
            cited=sorted(set(content.cited_ids)),
        )

"""The OpenAI analyzer: the real `openai` SDK with structured output into DeepAnalysisContent.

Imported only by DeepAnalysisFunction (openai costs ~0.4 s of cold start; no other function pays it).

Failure handling, per outcome of one call:
- timeout, connection error, 429, 5xx, any other HTTP error: the SDK retries (`max_retries`, honouring
  Retry-After); after that AnalysisUnavailable, so the SQS message is delivered again later;
- output that is not the schema (invalid JSON, out-of-range values, min above max, truncated by the token
  limit): AnalysisOutputInvalid, also retried by SQS (a fresh sample usually parses), dead-lettered after
  maxReceiveCount;
- refusal (or content filter): AnalysisRefused, not retried (the same text would be refused again); the
  worker stores the offline analyzer's answer, labelled with the reason.
"""

from __future__ import annotations

import time

import openai
import pydantic

from achievements.analysis.models import (
    AnalysisOutputInvalid,
    AnalysisRefused,
    AnalysisUnavailable,
    DeepAnalysis,
    DeepAnalysisContent,
    TokenUsage,
)
from achievements.analysis.prompt import PROMPT_VERSION, build_messages
from achievements.core.llm import make_openai_client
from achievements.core.models import Achievement, utcnow

OPENAI_ANALYZER_VERSION = f"openai-structured-1/{PROMPT_VERSION}"
__all__ = ["OPENAI_ANALYZER_VERSION", "OpenAIAnalyzer", "make_openai_client"]


def _usage(completion: object) -> TokenUsage:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return TokenUsage()
    return TokenUsage(
        prompt_tokens=usage.prompt_tokens or 0,
        completion_tokens=usage.completion_tokens or 0,
        total_tokens=usage.total_tokens or 0,
    )


class OpenAIAnalyzer:
    name = "openai"
    version = OPENAI_ANALYZER_VERSION

    def __init__(self, client: openai.OpenAI, model: str, max_output_tokens: int = 1500) -> None:
        self.client = client
        self.model = model
        self.max_output_tokens = max_output_tokens

    def analyze(self, achievement: Achievement) -> DeepAnalysis:
        started = time.perf_counter()
        try:
            completion = self.client.chat.completions.parse(
                model=self.model,
                messages=build_messages(achievement),  # type: ignore[arg-type]
                response_format=DeepAnalysisContent,
                max_completion_tokens=self.max_output_tokens,
            )
        except openai.APITimeoutError as error:
            raise AnalysisUnavailable(f"OpenAI did not answer within the timeout: {error}") from error
        except openai.APIConnectionError as error:
            raise AnalysisUnavailable(f"OpenAI unreachable: {error}") from error
        except openai.APIStatusError as error:
            raise AnalysisUnavailable(f"OpenAI failed after retries: {error.message}") from error
        except openai.ContentFilterFinishReasonError as error:
            raise AnalysisRefused("the answer was stopped by OpenAI's content filter") from error
        except openai.LengthFinishReasonError as error:
            raise AnalysisOutputInvalid("the answer was cut off at the output token limit") from error
        except pydantic.ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
            raise AnalysisOutputInvalid(f"the answer does not fit the analysis schema: {problems}") from error
        usage = _usage(completion)
        message = completion.choices[0].message if completion.choices else None
        if message is not None and message.refusal:
            raise AnalysisRefused(message.refusal, usage=usage, model=completion.model)
        if message is None or message.parsed is None:
            raise AnalysisOutputInvalid("the answer holds no analysis")
        return DeepAnalysis(
            **message.parsed.model_dump(),
            analyzer="openai",
            analyzer_version=self.version,
            model=completion.model or self.model,
            analyzed_at=utcnow(),
            achievement_fingerprint=achievement.fingerprint,
            token_usage=usage,
            duration_seconds=round(time.perf_counter() - started, 3),
        )

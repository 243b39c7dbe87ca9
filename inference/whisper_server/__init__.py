"""faster-whisper behind the SageMaker bring-your-own-container contract."""

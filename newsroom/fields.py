from django_prose_editor.fields import ProseEditorField

from newsroom.richtext import EDITOR_CONFIG, clean_html


class RichTextField(ProseEditorField):
    """HTML edited with the prose editor and cleaned with nh3 on every save."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("config", EDITOR_CONFIG)
        kwargs["sanitize"] = clean_html
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = clean_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

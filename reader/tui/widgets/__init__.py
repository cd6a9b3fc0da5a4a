from .article_list import ArticleList
from .article_view import ArticleView
from .search_bar import SearchBar
from .status_line import StatusLine

__all__ = ["ArticleList", "ArticleView", "SearchBar", "StatusLine"]
